# The peer's copies of what the heredocs hold (Dockerfile.podman COPYs them).
set -e
mkdir -p peer
printf 'version=1.2.3\nmode=production\n' > peer/app.conf
printf 'first file\n' > peer/one.txt
printf 'second file\n' > peer/two.txt
printf 'version=${VERSION}\n' > peer/raw.conf
