using FineTuneGuard.Optimization;

namespace FineTuneGuard.CodeFixes.Tests.Infrastructure;

/// <summary>
/// The slice of TorchSharp's public surface the training rules look at, with TorchSharp's own metadata names
/// (<c>TorchSharp.torch+nn+functional</c>, <c>TorchSharp.torch+nn+init</c>, <c>TorchSharp.torch+optim</c>,
/// <c>TorchSharp.torch+Tensor</c>, <c>TorchSharp.torch+nn+Module`2</c>, <c>TorchSharp.Modules.Parameter</c>,
/// <c>TorchSharp.Modules.CrossEntropyLoss</c>, ...) and the same signatures as TorchSharp 0.10x for the members used,
/// so test code reads exactly like user code. Compiled into every test compilation; the analyzers never reference it.
/// </summary>
internal static class TorchSharpStub
{
    public const string Source = """
        #nullable disable
        using System;
        using System.Collections.Generic;

        namespace TorchSharp
        {
            public enum ScalarType { Float32, Int64, BFloat16 }

            public sealed class Device { }

            public sealed class Scalar
            {
                public static implicit operator Scalar(int value) => new Scalar();
                public static implicit operator Scalar(long value) => new Scalar();
                public static implicit operator Scalar(float value) => new Scalar();
                public static implicit operator Scalar(double value) => new Scalar();
                public static implicit operator Scalar(bool value) => new Scalar();
            }

            public sealed class TensorIndex
            {
                public static TensorIndex Slice(long? start = null, long? stop = null, long? step = null) => new TensorIndex();
                public static TensorIndex Ellipsis => new TensorIndex();
                public static TensorIndex Colon => new TensorIndex();
                public static implicit operator TensorIndex(long index) => new TensorIndex();
            }

            public static partial class torch
            {
                public static partial class nn
                {
                    public enum Reduction : long { None = 0, Mean = 1, Sum = 2 }

                    public abstract class Module : IDisposable
                    {
                        protected Module(string name) { }
                        public virtual IEnumerable<Modules.Parameter> parameters(bool recurse = true) => Array.Empty<Modules.Parameter>();
                        public virtual IEnumerable<(string name, Modules.Parameter parameter)> named_parameters(bool recurse = true) => Array.Empty<(string, Modules.Parameter)>();
                        public virtual Module eval() => this;
                        public virtual Module train(bool train = true) => this;
                        public Module to(Device device) => this;
                        protected void RegisterComponents() { }
                        public void register_module(string name, Module module) { }
                        public void Dispose() { }
                    }

                    public abstract class Module<T, TResult> : Module
                    {
                        protected Module(string name) : base(name) { }
                        public abstract TResult forward(T input);
                        public TResult call(T input) => forward(input);
                    }

                    public abstract class Module<T1, T2, TResult> : Module
                    {
                        protected Module(string name) : base(name) { }
                        public abstract TResult forward(T1 input1, T2 input2);
                        public TResult call(T1 input1, T2 input2) => forward(input1, input2);
                    }

                    public static Modules.Linear Linear(long inputSize, long outputSize, bool hasBias = true) => new Modules.Linear();
                    public static Modules.Embedding Embedding(long num_embeddings, long embedding_dims) => new Modules.Embedding();
                    public static Modules.Parameter Parameter(Tensor data, bool requires_grad = true) => new Modules.Parameter(data, requires_grad);
                    public static Modules.CrossEntropyLoss CrossEntropyLoss(Tensor weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) => new Modules.CrossEntropyLoss();

                    public static partial class functional
                    {
                        public static Tensor cross_entropy(Tensor input, Tensor target, Tensor weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0) => input;
                        public static Tensor logsigmoid(Tensor x) => x;
                        public static Tensor log_softmax(Tensor input, long dim) => input;
                        public static Tensor softmax(Tensor input, long dim) => input;
                        public static Tensor dropout(Tensor input, double p = 0.5, bool training = true) => input;
                    }

                    public static partial class init
                    {
                        public static Tensor zeros_(Tensor tensor) => tensor;
                        public static Tensor ones_(Tensor tensor) => tensor;
                        public static Tensor constant_(Tensor tensor, Scalar val) => tensor;
                        public static Tensor normal_(Tensor tensor, double mean = 0.0, double std = 1.0) => tensor;
                        public static Tensor uniform_(Tensor tensor, double low = 0.0, double high = 1.0) => tensor;
                        public static Tensor kaiming_uniform_(Tensor tensor, double a = 0.0) => tensor;
                        public static Tensor kaiming_normal_(Tensor tensor, double a = 0.0) => tensor;
                        public static Tensor xavier_uniform_(Tensor tensor, double gain = 1.0) => tensor;
                    }
                }

                public static partial class optim
                {
                    public static Modules.AdamW AdamW(IEnumerable<Modules.Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) => new Modules.AdamW(parameters, lr);
                    public static Modules.Adam Adam(IEnumerable<Modules.Parameter> parameters, double lr = 1e-3) => new Modules.Adam();
                    public static Modules.SGD SGD(IEnumerable<Modules.Parameter> parameters, double learningRate, double momentum = 0.0) => new Modules.SGD();
                }

                public static Tensor zeros(long[] size, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor zeros(long size0, long size1, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor zeros(long size, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor ones(long size0, long size1, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor ones(long size, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor randn(long size0, long size1, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor randn(long size, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor rand(long size0, long size1, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor empty(long size0, long size1, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor empty(long size, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor full(long size0, long size1, Scalar value, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => new Tensor();
                public static Tensor zeros_like(Tensor input, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => input;
                public static Tensor ones_like(Tensor input, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => input;
                public static Tensor full_like(Tensor input, Scalar value, ScalarType? dtype = null, Device device = null, bool requires_grad = false) => input;
                public static Tensor arange(long stop, ScalarType? dtype = null, Device device = null) => new Tensor();
                public static Tensor tensor(long[] rawArray, ScalarType? dtype = null, Device device = null) => new Tensor();
                public static Tensor tensor(float[] rawArray, ScalarType? dtype = null, Device device = null) => new Tensor();
                public static Tensor where(Tensor condition, Tensor x, Tensor y) => x;
                public static Tensor cat(IList<Tensor> tensors, long dim = 0) => new Tensor();
                public static Tensor exp(Tensor input) => input;
                public static IDisposable no_grad() => null;
                public static Device CPU => new Device();

                public partial class Tensor : IDisposable
                {
                    public bool requires_grad { get; set; }
                    public Tensor grad { get; }
                    public long[] shape => Array.Empty<long>();
                    public Tensor this[params TensorIndex[] indices] { get => this; set { } }
                    public Tensor requires_grad_(bool requires_grad = true) => this;
                    public Tensor zero_() => this;
                    public Tensor normal_(double mean = 0.0, double std = 1.0) => this;
                    public Tensor uniform_(double from = 0.0, double to = 1.0) => this;
                    public Tensor fill_(Scalar value) => this;
                    public Tensor copy_(Tensor source) => this;
                    public Tensor add_(Tensor other, Scalar alpha = null) => this;
                    public Tensor sub_(Tensor other) => this;
                    public Tensor mul(Tensor other) => this;
                    public Tensor mul(Scalar other) => this;
                    public Tensor mul_(Scalar other) => this;
                    public Tensor div(Scalar other) => this;
                    public Tensor mean() => this;
                    public Tensor sum() => this;
                    public Tensor sum(long dim) => this;
                    public Tensor clone() => this;
                    public Tensor detach() => this;
                    public Tensor contiguous() => this;
                    public Tensor to(Device device) => this;
                    public Tensor view(params long[] shape) => this;
                    public Tensor reshape(params long[] shape) => this;
                    public Tensor eq(Scalar target) => this;
                    public Tensor ne(Scalar target) => this;
                    public Tensor masked_fill(Tensor mask, Scalar value) => this;
                    public Tensor masked_fill_(Tensor mask, Scalar value) => this;
                    public Tensor index_put_(Scalar value, params TensorIndex[] indices) => this;
                    public Tensor log_softmax(long dim) => this;
                    public Tensor gather(long dim, Tensor index) => this;
                    public Tensor squeeze(long dim) => this;
                    public Tensor unsqueeze(long dim) => this;
                    public Tensor matmul(Tensor other) => this;
                    public Tensor t() => this;
                    public Tensor @float() => this;
                    public Tensor slice(long dim, long start, long finish, long step) => this;
                    public T item<T>() => default;
                    public void backward() { }
                    public void Dispose() { }

                    public static Tensor operator +(Tensor left, Tensor right) => left;
                    public static Tensor operator -(Tensor left, Tensor right) => left;
                    public static Tensor operator *(Tensor left, Tensor right) => left;
                    public static Tensor operator /(Tensor left, Tensor right) => left;
                    public static Tensor operator *(Tensor left, Scalar right) => left;
                    public static Tensor operator *(Scalar left, Tensor right) => right;
                    public static Tensor operator /(Tensor left, Scalar right) => left;
                    public static Tensor operator -(Tensor left, Scalar right) => left;
                    public static Tensor operator +(Tensor left, Scalar right) => left;
                    public static Tensor operator -(Scalar left, Tensor right) => right;
                    public static Tensor operator +(Scalar left, Tensor right) => right;
                    public static Tensor operator -(Tensor tensor) => tensor;
                }
            }
        }

        namespace TorchSharp.Modules
        {
            using static TorchSharp.torch;

            public class Parameter : Tensor
            {
                public Parameter(Tensor data, bool requires_grad = true) { }
            }

            public sealed class Linear : nn.Module<Tensor, Tensor>
            {
                public Linear() : base("Linear") { }
                public Parameter weight { get; set; }
                public Parameter bias { get; set; }
                public override Tensor forward(Tensor input) => input;
            }

            public sealed class Embedding : nn.Module<Tensor, Tensor>
            {
                public Embedding() : base("Embedding") { }
                public Parameter weight { get; set; }
                public override Tensor forward(Tensor input) => input;
            }

            public abstract class Loss<T1, T2, TResult> : nn.Module<T1, T2, TResult>
            {
                protected Loss() : base("Loss") { }
            }

            public sealed class CrossEntropyLoss : Loss<Tensor, Tensor, Tensor>
            {
                public override Tensor forward(Tensor input, Tensor target) => input;
            }

            public abstract class OptimizerHelper
            {
                public virtual Tensor step() => null;
                public virtual void zero_grad() { }
            }

            public sealed class AdamW : OptimizerHelper
            {
                public AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false) { }
            }

            public sealed class Adam : OptimizerHelper { }

            public sealed class SGD : OptimizerHelper { }
        }
        """;
}
