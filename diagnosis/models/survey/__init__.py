"""The listening survey analysed: weights toward the residents' mix of age and sex, the
tables of satisfaction and needs, the comments' words, and the privacy rules all obey."""
