"""Names: the seed's notation made general, the books' profiles, reading and writing a book's names."""
