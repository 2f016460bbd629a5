-- expect: os.exit is not available in a scenario
os.exit(0)
