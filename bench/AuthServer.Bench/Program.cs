using AuthServer.Bench;

// The benchmark's helper, driven by bench/run.sh (see bench/README.md):
//   seed-org      --data DIR                                 organization through OrganizationService
//   seed-http     --data DIR --base URL --signins N --oidc N [--prefix P]  real sign-ins over HTTP: session tokens, access and refresh tokens
//   seed-sessions --data DIR --count N                        N active sessions through SessionService, in batches
//   load          --data DIR --base URL --scenario refresh|signin|oidc_signin|passkey --seconds S --warmup W --concurrency C --server-pid P --out FILE
//                 [--chains FILE --token-path PATH --basic HEADER]   refresh against a peer's token endpoint
//                 --base URL1,URL2 --server-pid P1,P2   several instances: worker w uses instance w mod n
//                 [--statements-sql FILE]   statements and commits per operation (pg_stat_statements)
var command = args.FirstOrDefault() ?? "";
var options = Options.Parse(args.Skip(1).ToArray());
try
{
    switch (command)
    {
        case "seed-org":
            await Seeding.SeedOrganizationAsync(options);
            return 0;
        case "seed-http":
            await Seeding.SeedOverHttpAsync(options);
            return 0;
        case "seed-sessions":
            await Seeding.SeedSessionsAsync(options);
            return 0;
        case "load":
            await LoadDriver.RunAsync(options);
            return 0;
        default:
            Console.Error.WriteLine("usage: AuthServer.Bench seed-org|seed-http|seed-sessions|load [--option value ...] (see bench/README.md)");
            return 2;
    }
}
catch (BenchException exception)
{
    Console.Error.WriteLine($"bench: {exception.Message}");
    return 1;
}

namespace AuthServer.Bench
{
    /// <summary>A step of the harness failed in a way that makes its numbers meaningless.</summary>
    public sealed class BenchException(string message) : Exception(message);

    /// <summary>"--name value" pairs.</summary>
    public sealed class Options(Dictionary<string, string> values)
    {
        public static Options Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                if (!args[i].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new BenchException($"expected --option, got '{args[i]}'");
                }

                values[args[i][2..]] = args[i + 1];
            }

            return new Options(values);
        }

        public string Get(string name) => values.TryGetValue(name, out var value) ? value : throw new BenchException($"missing --{name}");

        public string Get(string name, string fallback) => values.GetValueOrDefault(name, fallback);

        public int Int(string name, int fallback) => values.TryGetValue(name, out var value) ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

        public double Double(string name, double fallback) =>
            values.TryGetValue(name, out var value) ? double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }
}
