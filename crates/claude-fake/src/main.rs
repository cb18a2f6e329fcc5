//! `closer-fake-anthropic`: the fake Messages API as a process, for the app's demo mode and
//! the LiteLLM benchmark. Prints `listening on http://HOST:PORT` once bound, then serves
//! until killed. Fast by default: no artificial delay; any `sk-ant-*` key is accepted.

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use closer_claude_fake::{FakeAnthropic, FakeOptions, KeyPolicy};

const USAGE: &str = "\
usage: closer-fake-anthropic [options]

  --port N                   port to listen on (0, the default: a free port)
  --host IP                  address to bind (default 127.0.0.1)
  --latency-ms N             wait N ms before each response's first byte (default 0)
  --chunk-delay-ms N         wait N ms between streamed events (default 0)
  --min-cacheable-tokens N   smallest prefix that prompt caching stores (default 1024)
  --api-key KEY              accept only this key (repeatable; default: any sk-ant-* key)
  --no-sse-padding           do not pad SSE data lines as the real API does
  -h, --help                 this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (addr, opts) = match parse(&args) {
        Ok(Some(parsed)) => parsed,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("closer-fake-anthropic: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("closer-fake-anthropic: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let fake = match FakeAnthropic::start_on(addr, opts).await {
            Ok(fake) => fake,
            Err(e) => {
                eprintln!("closer-fake-anthropic: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on {}", fake.url());
        let _ = out.flush();
        drop(out);
        std::future::pending::<()>().await;
        ExitCode::SUCCESS
    })
}

/// `Ok(None)`: help was asked for.
fn parse(args: &[String]) -> Result<Option<(SocketAddr, FakeOptions)>, String> {
    let mut host = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let mut port = 0u16;
    let mut opts = FakeOptions::default();
    let mut keys = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        let number = |name: &str, v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: not a number: {v}"))
        };
        match arg.as_str() {
            "-h" | "--help" => return Ok(None),
            "--port" => {
                let v = value("--port")?;
                port = v.parse().map_err(|_| format!("--port: not a port: {v}"))?;
            }
            "--host" => {
                let v = value("--host")?;
                host = v
                    .parse()
                    .map_err(|_| format!("--host: not an IP address: {v}"))?;
            }
            "--latency-ms" => {
                opts.first_byte_delay = Duration::from_millis(number(arg, value(arg)?)?);
            }
            "--chunk-delay-ms" => {
                opts.chunk_delay = Duration::from_millis(number(arg, value(arg)?)?);
            }
            "--min-cacheable-tokens" => {
                opts.min_cacheable_tokens = number(arg, value(arg)?)?;
            }
            "--api-key" => keys.push(value(arg)?),
            "--no-sse-padding" => opts.sse_padding = false,
            other => return Err(format!("unknown argument: {other}")),
        }
    }
    if !keys.is_empty() {
        opts.api_keys = KeyPolicy::Exact(keys);
    }
    Ok(Some((SocketAddr::new(host, port), opts)))
}
