import PrivateLearning
print("dpflow-bench: not yet implemented")
