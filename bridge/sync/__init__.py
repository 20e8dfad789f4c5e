"""Use cases: read what they need, map with pure functions, write the other side, bind."""
