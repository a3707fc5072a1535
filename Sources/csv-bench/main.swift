print("csv-bench: not yet implemented")
