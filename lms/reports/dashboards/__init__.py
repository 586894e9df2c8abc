"""The dashboards' pages as data: a unit's (province, commune), a school's, a class's.

``unit`` computes a unit's figures per school and group with the trend,
``school_list`` pages, searches, filters and orders its schools, ``school`` a
school's page and a class's report, ``charts`` the bars a meeting projects.
"""
