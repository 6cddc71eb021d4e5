"""Tools shared by the course notebooks: data, gradient checks, layers, a model, the Solver."""
