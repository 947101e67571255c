"""REST bridge: the rest_model_service API in front of the model topics (aiohttp)."""
