"""The worker: the Faust app, one consumer per hosted model, the prediction core, model loading."""
