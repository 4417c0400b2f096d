"""Pure logic: models, search, and the rules the features follow. No discord, no SQL, no network."""
