"""先锋榜 / 荣誉榜 for the console: a board as Excel, and the printable honour board (PDF)."""
