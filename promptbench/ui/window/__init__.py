"""The main window: its menus and files, the run bar, banners, and the crash dialog."""
