"""Text folding for search: lower case without Swedish diacritics. The stored search column
(Grant.search_text) and the words searched for are folded the same way, so "soderhamn" finds
"Söderhamn" on SQLite (whose LOWER folds only ASCII) and on PostgreSQL alike."""

_FOLD = str.maketrans("ÅÄÖÉÜåäöéü", "aaoeuaaoeu")


def fold(text: str) -> str:
    return text.translate(_FOLD).lower()
