# One image for every Bridge process: CLI, worker, beat, Flower, the sandboxes.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md celeryconfig.py ./
COPY bridge ./bridge
COPY workers ./workers
COPY tasks ./tasks
COPY sandbox ./sandbox
RUN pip install --no-cache-dir .
RUN useradd --create-home bridge
USER bridge
ENTRYPOINT ["bridge"]
