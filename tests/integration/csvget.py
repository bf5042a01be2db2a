"""csvget.py FILE DOMAIN COLUMN: print one cell of a domscan CSV report (first row of DOMAIN)."""
import csv
import sys

path, domain, column = sys.argv[1:4]
with open(path, newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f):
        if row.get("domain") == domain:
            if column not in row:
                print(f"<no column {column}>")
            else:
                print(row[column])
            sys.exit(0)
print("<no row>")
