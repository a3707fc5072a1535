print("dpflow: not yet implemented")
