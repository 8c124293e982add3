# humd's image: a static binary on distroless, run as a non-root user, data in /data.
#   docker build -t humd .
#   docker run -p 8080:8080 -v humd-data:/data humd
# deploy/compose.yaml runs it behind Caddy for https.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w ${VERSION:+-X github.com/humd/humd/app.Version=$VERSION}" \
      -o /out/humd ./cmd/humd \
 && mkdir -p /out/data

# distroless static: no shell, no libc, no curl; user nonroot is 65532.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/humd /usr/local/bin/humd
COPY --from=build --chown=65532:65532 /out/data /data
ENV HUMD_ADDR=0.0.0.0:8080 \
    HUMD_DATA=/data
VOLUME /data
EXPOSE 8080
USER 65532:65532
# humd health probes HUMD_ADDR's /api/health on loopback (over https when TLS is on).
HEALTHCHECK --interval=30s --timeout=6s --start-period=30s --retries=3 CMD ["/usr/local/bin/humd", "health"]
ENTRYPOINT ["/usr/local/bin/humd"]
CMD ["serve"]
