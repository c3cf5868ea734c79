"""Charts and maps in one house style, Italian labels and number format."""
