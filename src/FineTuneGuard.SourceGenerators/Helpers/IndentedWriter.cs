using System;
using System.Text;

namespace FineTuneGuard.SourceGenerators.Helpers;

/// <summary>A minimal indented text writer for emitters (four spaces per level, '\n' line endings for stable snapshots).</summary>
internal sealed class IndentedWriter
{
    private readonly StringBuilder _builder = new();
    private int _indent;

    public IndentedWriter WriteLine(string line = "")
    {
        if (line.Length > 0)
        {
            _builder.Append(' ', _indent * 4);
            _builder.Append(line);
        }

        _builder.Append('\n');
        return this;
    }

    /// <summary>Writes <c>{</c>, indents, and returns a scope whose disposal writes the closing brace.</summary>
    public Block OpenBlock(string? header = null, string closing = "}")
    {
        if (header is not null)
        {
            WriteLine(header);
        }

        WriteLine("{");
        _indent++;
        return new Block(this, closing);
    }

    public override string ToString() => _builder.ToString();

    internal readonly struct Block : IDisposable
    {
        private readonly IndentedWriter _writer;
        private readonly string _closing;

        public Block(IndentedWriter writer, string closing)
        {
            _writer = writer;
            _closing = closing;
        }

        public void Dispose()
        {
            _writer._indent--;
            _writer.WriteLine(_closing);
        }
    }
}
