"""The services floor, inbound: parse records from Pith, Semantic Scholar, OpenAlex, arXiv and
BibTeX into domain types (``Paper`` and ``Citation``) that the repository stores."""
