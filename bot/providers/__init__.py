"""Where show data comes from: the bundled catalogue and imports, TVmaze, and the contract they share."""
