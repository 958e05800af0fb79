"""A member's rights over their personal information: see, copy, correct, delete, withdraw."""
