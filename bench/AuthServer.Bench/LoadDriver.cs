using AuthServer.Tests.Passkeys;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AuthServer.Bench;

/// <summary>
/// Closed-loop load for the stateful scenarios wrk cannot express simply: a fixed number of workers, each
/// running one operation after another for a warm-up and then for the measured time.
/// - refresh: each worker owns one refresh-token chain and always presents the token the last rotation
///   returned (each is single use; a replayed one would revoke the chain).
///   With --chains FILE, --token-path PATH and --basic HEADER it drives a peer's token endpoint the same way
///   (bench/peers/peers.sh), with chains from that peer's own authorization code flow.
/// - signin: each worker walks full CentralAuth sign-ins (page, email, code from the outbox, code, verify)
///   with a fresh address and client IP every time.
/// - oidc_signin: each worker walks full OpenID Connect sign-ins (/connect/authorize, the hosted page's email and
///   code steps, /connect/authorize again, the code at /connect/token) with a fresh address and client IP.
/// The server's CPU time and peak RSS are sampled around the measured phase only.
/// Several instances: --base URL1,URL2 and --server-pid P1,P2; worker w talks to instance w mod n (its redirects
/// name the public URL, the first instance, so a flow's later steps may cross to it as behind a load balancer),
/// and the CPU time is the sum over the processes.
/// </summary>
public static class LoadDriver
{
    public static async Task RunAsync(Options options)
    {
        var scenario = options.Get("scenario");
        var dataDir = options.Get("data");
        var concurrency = options.Int("concurrency", 16);
        var warmup = TimeSpan.FromSeconds(options.Double("warmup", 30));
        var duration = TimeSpan.FromSeconds(options.Double("seconds", 20));
        var serverPids = options.Get("server-pid", "0").Split(',').Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var organization = BenchOrganization.Load(dataDir);
        var peerTokenPath = options.Get("token-path", "");
        var peerBasic = options.Get("basic", "");
        var bases = options.Get("base").Split(',', StringSplitOptions.RemoveEmptyEntries);
        var clients = bases.Select(b => Http.NewClient(b, concurrency)).ToArray();
        using var disposeClients = new ClientsOwner(clients);
        HttpClient ClientOf(int worker) => clients[worker % clients.Length];

        Func<int, long, StepRecorder, Task> operation;
        Action finish = () => { };
        switch (scenario)
        {
            case "refresh":
            {
                var chainsFile = options.Get("chains", Path.Combine(dataDir, "refresh-tokens.txt"));
                var chains = File.ReadAllLines(chainsFile).Where(l => l.Length > 0).ToArray();
                if (chains.Length < concurrency)
                {
                    throw new BenchException($"refresh: {chains.Length} refresh-token chains for {concurrency} workers");
                }

                var dead = new bool[chains.Length];
                operation = async (worker, _sequence, recorder) =>
                {
                    if (dead[worker])
                    {
                        throw new ChainLostException();
                    }

                    var form = new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = chains[worker] };
                    using var request = peerTokenPath.Length > 0
                        ? BrowserFlow.TokenRequest(peerTokenPath, peerBasic, form)
                        : BrowserFlow.TokenRequest(organization, form);
                    var started = Stopwatch.GetTimestamp();
                    using var response = await ClientOf(worker).SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    recorder.Record("token", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        dead[worker] = true;
                        throw new BenchException($"refresh: {(int)response.StatusCode}: {body}");
                    }

                    using var json = JsonDocument.Parse(body);
                    if (!json.RootElement.TryGetProperty("access_token", out _) || json.RootElement.GetProperty("refresh_token").GetString() is not { Length: > 0 } next)
                    {
                        dead[worker] = true;
                        throw new BenchException($"refresh: no rotated refresh token in {body}");
                    }

                    chains[worker] = next;
                };
                // The chains live on: a later run continues from the newest tokens.
                finish = () => File.WriteAllLines(chainsFile, chains);
                break;
            }

            case "signin":
            {
                var outbox = new OutboxReader(options.Get("outbox"));
                var run = Guid.NewGuid().ToString("N")[..8];
                operation = async (worker, sequence, recorder) =>
                {
                    // Client IPs after the ones seeding used (10.16.x.x and up), one per sign-in.
                    var flow = new BrowserFlow(ClientOf(worker), outbox, organization, VirtualIp.Of((1L << 20) + sequence));
                    await flow.CentralAuthSignInAsync($"load-{run}-{sequence}@bench.example.com", recorder);
                };
                break;
            }

            case "oidc_signin":
            {
                var outbox = new OutboxReader(options.Get("outbox"));
                var run = Guid.NewGuid().ToString("N")[..8];
                operation = async (worker, sequence, recorder) =>
                {
                    // Client IPs after the passkey scenario's (10.64.x.x and up), one per sign-in.
                    var flow = new BrowserFlow(ClientOf(worker), outbox, organization, VirtualIp.Of((4L << 20) + sequence));
                    await flow.OidcSignInAsync($"oidc-{run}-{sequence}@bench.example.com", recorder);
                };
                break;
            }

            case "passkey":
            {
                // One user and one software authenticator per worker, registered through the server's own
                // ceremony (email code, creation options, attestation) before the warm-up. Each worker signs in
                // with its own passkey, one sign-in after another (the signature counter goes up by one each time).
                var outbox = new OutboxReader(options.Get("outbox"));
                var run = Guid.NewGuid().ToString("N")[..8];
                var origin = new Uri(bases[0]).GetLeftPart(UriPartial.Authority);
                var authenticators = new SoftwareAuthenticator[concurrency];
                await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
                {
                    authenticators[worker] = new SoftwareAuthenticator(origin);
                    var flow = new BrowserFlow(ClientOf(worker), outbox, organization, VirtualIp.Of((2L << 20) + worker));
                    await flow.RegisterPasskeyAsync($"passkey-{run}-{worker}@bench.example.com", authenticators[worker]);
                }));
                operation = async (worker, sequence, recorder) =>
                {
                    var flow = new BrowserFlow(ClientOf(worker), outbox, organization, VirtualIp.Of((3L << 20) + sequence));
                    await flow.PasskeySignInAsync(authenticators[worker], recorder);
                };
                finish = () =>
                {
                    foreach (var authenticator in authenticators)
                    {
                        authenticator.Dispose();
                    }
                };
                break;
            }

            default:
                throw new BenchException($"load: unknown scenario '{scenario}' (refresh, signin, oidc_signin, passkey)");
        }

        long sequence = 0;
        if (warmup > TimeSpan.Zero)
        {
            await PhaseAsync(concurrency, warmup, operation, () => Interlocked.Increment(ref sequence));
        }

        var statements = DatabaseStatements.From(options);
        var statementsBefore = await statements.ReadAsync();
        var cpuBefore = serverPids.Sum(ServerProcess.CpuSeconds);
        Array.ForEach(serverPids, ServerProcess.ResetPeakRss);
        var measured = await PhaseAsync(concurrency, duration, operation, () => Interlocked.Increment(ref sequence));
        var cpuAfter = serverPids.Sum(ServerProcess.CpuSeconds);
        var peakRss = serverPids.Max(ServerProcess.PeakRssKb);
        var measuredServer = serverPids.Any(p => p > 0);
        var statementsAfter = await statements.ReadAsync();
        finish();

        var latencies = measured.Latencies.ToArray();
        Array.Sort(latencies);
        var result = new JsonObject
        {
            ["scenario"] = scenario,
            ["unit"] = scenario is "signin" or "oidc_signin" or "passkey" ? "sign-ins" : "requests",
            ["requests"] = measured.Completed,
            ["ok"] = measured.Completed,
            ["errors"] = measured.Errors,
            ["seconds"] = measured.Seconds,
            ["rps"] = measured.Completed / measured.Seconds,
            ["p50_ms"] = Percentile(latencies, 50),
            ["p99_ms"] = Percentile(latencies, 99),
            ["server_cpu_s"] = measuredServer ? cpuAfter - cpuBefore : null,
            ["server_peak_rss_kb"] = measuredServer ? peakRss : null,
            ["instances"] = clients.Length,
            ["concurrency"] = concurrency,
            ["error_samples"] = new JsonArray(measured.ErrorSamples.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
        };
        if (statementsBefore is { } before && statementsAfter is { } after && measured.Completed > 0)
        {
            result["statements_per_op"] = Math.Round((double)(after.Statements - before.Statements) / measured.Completed, 2);
            result["commits_per_op"] = Math.Round((double)(after.Commits - before.Commits) / measured.Completed, 2);
        }

        var steps = new JsonObject();
        foreach (var (step, values) in measured.Steps.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            var sorted = values.ToArray();
            Array.Sort(sorted);
            steps[step] = new JsonObject { ["p50_ms"] = Percentile(sorted, 50), ["p99_ms"] = Percentile(sorted, 99) };
        }

        result["steps"] = steps;
        var text = result.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        await File.WriteAllTextAsync(options.Get("out"), text);
        Console.WriteLine(text);
    }

    private static async Task<Phase> PhaseAsync(int concurrency, TimeSpan duration, Func<int, long, StepRecorder, Task> operation, Func<long> next)
    {
        var phase = new Phase();
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(worker => Task.Run(async () =>
        {
            var recorder = new StepRecorder(phase);
            // Bounded by time: no new operation starts after the phase's end.
            while (stopwatch.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    await operation(worker, next(), recorder);
                    phase.Latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    Interlocked.Increment(ref phase.Completed);
                }
                catch (ChainLostException)
                {
                    // This worker's chain broke earlier (already counted); it has nothing left to send.
                    return;
                }
                catch (Exception exception) when (exception is BenchException or HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or IOException)
                {
                    Interlocked.Increment(ref phase.Errors);
                    if (phase.ErrorSamples.Count < 5)
                    {
                        phase.ErrorSamples.Add(exception.Message);
                    }
                }
            }
        })).ToArray();
        await Task.WhenAll(workers);
        phase.Seconds = stopwatch.Elapsed.TotalSeconds;
        return phase;
    }

    private static double? Percentile(double[] sorted, double percentile) =>
        sorted.Length == 0 ? null : Math.Round(sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(percentile / 100 * sorted.Length) - 1)], 2);

    private sealed class ChainLostException : Exception;

    private sealed class ClientsOwner(HttpClient[] clients) : IDisposable
    {
        public void Dispose() => Array.ForEach(clients, c => c.Dispose());
    }

    private sealed class Phase
    {
        public long Completed;
        public long Errors;
        public double Seconds;
        public ConcurrentBag<double> Latencies { get; } = [];
        public ConcurrentBag<string> ErrorSamples { get; } = [];
        public ConcurrentDictionary<string, ConcurrentBag<double>> Steps { get; } = new(StringComparer.Ordinal);
    }

    private sealed class StepRecorder(Phase phase) : IStepRecorder
    {
        public void Record(string step, double milliseconds) => phase.Steps.GetOrAdd(step, _ => []).Add(milliseconds);
    }
}

/// <summary>The server process as /proc shows it (Linux).</summary>
public static class ServerProcess
{
    private static readonly double TicksPerSecond = double.Parse(Environment.GetEnvironmentVariable("BENCH_CLK_TCK") ?? "100", CultureInfo.InvariantCulture);

    /// <summary>utime + stime of the process, in seconds.</summary>
    public static double CpuSeconds(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the command name, which is in parentheses and may contain spaces: state is [0], utime [11], stime [12].
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
    }

    /// <summary>Resets VmHWM to the current RSS, so the next reading is the peak of what follows.</summary>
    public static void ResetPeakRss(int pid)
    {
        if (pid > 0)
        {
            File.WriteAllText($"/proc/{pid}/clear_refs", "5");
        }
    }

    public static long? PeakRssKb(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }
}
