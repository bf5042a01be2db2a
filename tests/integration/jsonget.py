"""jsonget.py FILE DOMAIN EXPR: evaluate EXPR (a Python expression over `r`, the row object of
DOMAIN in a domscan JSON Lines report) and print the result (JSON for lists/dicts/None)."""
import json
import sys

path, domain, expr = sys.argv[1:4]
with open(path, encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        if r.get("domain") == domain:
            try:
                v = eval(expr, {"json": json}, {"r": r})  # test-side expressions only
            except Exception as e:  # the test prints what went wrong
                v = f"<error {type(e).__name__}: {e}>"
            print(v if isinstance(v, str) else json.dumps(v))
            sys.exit(0)
print("<no row>")
