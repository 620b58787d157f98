"""Parliament: seats under real rules, projections, alliances, and congress delegates."""
