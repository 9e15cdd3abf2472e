"""The read side, one module per area: querysets with visibility rules and select_related, and
figures computed in a fixed number of queries."""
