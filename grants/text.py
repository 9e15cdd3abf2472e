"""Text folding shared by the models (the stored search column) and the public search: lower
case without Swedish diacritics, the same in Python and in SQL."""

from django.db.models import CharField, F, Func, Value
from django.db.models.functions import Lower, Replace

# The same folding in Python (for the query) and in SQL (for the column), so "soderhamn" finds
# "Söderhamn" on SQLite (whose LOWER folds only ASCII) and on PostgreSQL alike.
FOLDS = (
    ("Å", "a"),
    ("Ä", "a"),
    ("Ö", "o"),
    ("É", "e"),
    ("Ü", "u"),
    ("å", "a"),
    ("ä", "a"),
    ("ö", "o"),
    ("é", "e"),
    ("ü", "u"),
)


def fold(text: str) -> str:
    for accented, plain in FOLDS:
        text = text.replace(accented, plain)
    return text.lower()


class Fold(Func):
    """Lower case without Swedish diacritics, in SQL: one TRANSLATE on PostgreSQL, a chain of
    REPLACE on SQLite (which has no TRANSLATE and whose LOWER folds only ASCII)."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        plain = Func(
            self.source_expressions[0],
            Value("".join(a for a, _ in FOLDS)),
            Value("".join(b for _, b in FOLDS)),
            function="TRANSLATE",
            output_field=CharField(),
        )
        return Lower(plain).as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection, **extra_context):
        expression = self.source_expressions[0]
        for accented, plain in FOLDS:
            expression = Replace(expression, Value(accented), Value(plain))
        return Lower(expression).as_sql(compiler, connection)


def fold_expression(field: str):
    return Fold(F(field))
