"""Settings: the dialog (providers, keys, run defaults, theme, history place) and the preferences kept in QSettings."""
