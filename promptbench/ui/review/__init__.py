"""The blind review window: a run's answers case by case, names hidden and order shuffled, the reviewer picking the
better one; the names revealed at the end with each variant's wins, ties and losses."""
