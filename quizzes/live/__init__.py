"""Live classroom quizzes: sessions, seats, the server's clock, sockets and reports."""
