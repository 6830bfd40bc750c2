//! Streaming I/O for the CLI: output is flushed right before the input would
//! block, so `tail -f | warden redact` shows each line as soon as it arrives
//! while a large file still goes through in big buffered writes.

use std::cell::RefCell;
use std::io::{BufReader, Read, Write};
use std::rc::Rc;

/// A writer shared between the redactor (which writes) and the reader (which flushes).
pub struct SharedWriter<W>(Rc<RefCell<W>>);

impl<W: Write> Write for SharedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

/// Flushes the shared writer before every read of the underlying input. Wrapped
/// in a `BufReader`, reads reach it only when the buffer is empty, i.e. exactly
/// when waiting for more input is about to start.
pub struct FlushBeforeRead<R, W> {
    input: R,
    output: Rc<RefCell<W>>,
}

impl<R: Read, W: Write> Read for FlushBeforeRead<R, W> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.output.borrow_mut().flush()?;
        self.input.read(buf)
    }
}

/// Pairs `input` and `output` so that output is flushed whenever input runs dry.
pub fn flush_when_idle<R: Read, W: Write>(
    input: R,
    output: W,
) -> (BufReader<FlushBeforeRead<R, W>>, SharedWriter<W>) {
    let output = Rc::new(RefCell::new(output));
    let reader = FlushBeforeRead {
        input,
        output: Rc::clone(&output),
    };
    (
        BufReader::with_capacity(64 * 1024, reader),
        SharedWriter(output),
    )
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, Read, Write};

    /// An input that hands out one line per read, recording what the output
    /// held each time it was asked for more.
    struct Trickle {
        lines: Vec<&'static [u8]>,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            if self.lines.is_empty() {
                return Ok(0);
            }
            let line = self.lines.remove(0);
            buf[..line.len()].copy_from_slice(line);
            Ok(line.len())
        }
    }

    #[test]
    fn output_is_flushed_before_each_wait_for_input() {
        let sink = std::rc::Rc::new(std::cell::RefCell::new(Vec::<u8>::new()));
        struct Probe(std::rc::Rc<std::cell::RefCell<Vec<u8>>>, Vec<u8>);
        impl Write for Probe {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.1.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                self.0.borrow_mut().append(&mut self.1);
                Ok(())
            }
        }
        let input = Trickle {
            lines: vec![b"one\n", b"two\n"],
        };
        let (mut reader, mut writer) =
            super::flush_when_idle(input, Probe(sink.clone(), Vec::new()));
        let mut line = Vec::new();
        reader.read_until(b'\n', &mut line).expect("read");
        writer.write_all(&line).expect("write");
        assert!(sink.borrow().is_empty(), "buffered until input runs dry");
        line.clear();
        reader.read_until(b'\n', &mut line).expect("read");
        assert_eq!(
            sink.borrow().as_slice(),
            b"one\n",
            "flushed before waiting for line two"
        );
    }
}
