"""The judgement: series per goal kind, trajectory, ratio, verdict. Reads the warehouse only
through its named queries; holds no SQL."""
