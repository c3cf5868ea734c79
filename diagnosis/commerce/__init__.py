"""The commercial fabric: groups of activities, local units, shops and vacant premises."""
