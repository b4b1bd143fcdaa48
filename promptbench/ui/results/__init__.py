"""Results on screen: the grid, the detail pane with its diff and output views, grades, the summary strip."""
