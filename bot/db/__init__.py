"""The only package that knows SQL: the Database, its migrations, and one store per aggregate."""
