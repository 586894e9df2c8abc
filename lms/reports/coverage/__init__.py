"""Topic coverage: which required topics each class covered, per school and period.

``totals`` plans and runs the statements (``sql``) over the rollup rows and
keeps each school's coverage per period on PostgreSQL.
"""
