"""Each stage's work: validated params and loaded artifacts in, the data, nn and metrics code
called, results out. The entry scripts in ``stages/`` only parse paths and write files."""
