"""The process: command line, configuration, composition root (runtime) and the reminder scheduler
task."""
