"""Business rules of the tracker. Views call these; they never change models directly."""
