256 SHA256:ZcwpqCflqUTIdYf8FkkhJ5hbZFtx0Q7wWbjww2ylPLk no comment (ECDSA)
