# syntax=docker/dockerfile:1
# Build: docker build -t authserver .
# Run:   docker run -p 8080:8080 \
#          -e ConnectionStrings__AuthDb="Host=db;Port=5432;Database=authserver;Username=...;Password=..." \
#          -e Server__PublicBaseUrl="https://auth.example.com" \
#          authserver
# The PostgreSQL connection string comes from the environment variable ConnectionStrings__AuthDb.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
# amd64 or arm64, set by BuildKit; the publish below is architecture-specific (ReadyToRun).
ARG TARGETARCH
WORKDIR /src

# Project files first, so the restore layer is cached until a dependency changes.
COPY global.json Directory.Build.props Directory.Packages.props AuthServer.sln ./
COPY src/AuthServer/AuthServer.csproj src/AuthServer/
COPY src/AuthServer.Data/AuthServer.Data.csproj src/AuthServer.Data/
COPY migrations/AuthServer.Migrations.csproj migrations/
RUN dotnet restore src/AuthServer/AuthServer.csproj -r linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64) -p:PublishReadyToRun=true

COPY . .
# ReadyToRun: compiled ahead of time, so start-up does not wait for the JIT (about half of it otherwise).
RUN dotnet publish src/AuthServer/AuthServer.csproj -c Release -r linux-$([ "$TARGETARCH" = arm64 ] && echo arm64 || echo x64) \
      --self-contained false -p:PublishReadyToRun=true -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS final
WORKDIR /app
COPY --from=build /app .

# Non-root user defined by the official .NET images.
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8080
EXPOSE 8080
# The runtime image has no curl or wget: the server binary probes its own /health/ready (exit 0 ready, 1 not).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["dotnet", "AuthServer.dll", "healthcheck"]
ENTRYPOINT ["dotnet", "AuthServer.dll"]
