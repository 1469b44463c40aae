"""One module per command: the only place that joins the I/O rooms with the pipeline."""
