"""The floor every app may import: errors, PDFs, spreadsheets, sockets, health."""
