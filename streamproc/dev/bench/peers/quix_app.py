"""The Quix Streams peer, as its docs show it: a StreamingDataFrame with a per-message ``apply(predict)``.

Runs from the Quix venv's interpreter (it imports nothing of streamproc):
``python quix_app.py BOOTSTRAP SOURCE SINK MODEL_PATH COUNT SECONDS``. JSON iris rows in, JSON
predictions out; stops after COUNT outputs, or when no input came for a second, or after SECONDS.
"""

from __future__ import annotations

import json
import sys
import threading
import uuid

import joblib
from quixstreams import Application

FEATURES = ("sepal_length", "sepal_width", "petal_length", "petal_width")
SPECIES = ("setosa", "versicolor", "virginica")


def main() -> None:
    bootstrap, source, sink, model_path, count, seconds = sys.argv[1:7]
    model = joblib.load(model_path)

    def predict(row: dict) -> dict:
        label = model.predict([[row[name] for name in FEATURES]])[0]
        return {"species": SPECIES[int(label)]}

    app = Application(
        broker_address=bootstrap,
        consumer_group=f"bench-quix-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
        use_changelog_topics=False,
        loglevel="WARNING",
    )
    sdf = app.dataframe(app.topic(source, value_deserializer="json"))
    sdf = sdf.apply(predict)
    sdf.to_topic(app.topic(sink, value_serializer="json"))
    timer = threading.Timer(float(seconds), app.stop)  # the bound in time, as for the naive baseline
    timer.start()
    try:
        app.run(count=int(count), timeout=5.0, collect=False)
    finally:
        timer.cancel()
    print("BENCH_JSON " + json.dumps({"stopped": True}), flush=True)  # the bench counts the outputs


if __name__ == "__main__":
    main()
