"""Programme rules, reporting figures, dashboards and the signed evidence exports."""
