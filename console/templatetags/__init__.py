"""Template helpers of every page (form errors tied to their fields, weekday and time display); imports only Django."""
