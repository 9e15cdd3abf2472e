"""Bounds for numbers people type or put in a query string, so that no value can reach the
database beyond what its columns and the budget ledger hold (a bigint ends at 9.2 × 10^18)."""

# No grant, budget line, report figure or filter amount is near a trillion kronor; sums of many
# of them still fit in a bigint.
MAX_AMOUNT = 10**12
# Page numbers, scores, versions and other small counters.
MAX_COUNTER = 10**6
