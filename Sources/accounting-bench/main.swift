print("accounting-bench: not yet implemented")
