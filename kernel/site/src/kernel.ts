/**
 * seqlab's TypeScript kernel for JupyterLite (the page side): a BaseKernel from
 * @jupyterlite/services 0.8 whose cells run in a Web Worker (worker.ts). Registered under the
 * kernelspec name "tslab", so a notebook written for tslab opens with it unchanged.
 *
 * Interrupt: JupyterLite's kernel client only cancels the cells still waiting; a cell that is
 * running (say `while (true) {}`) holds the worker's only thread and can hear nothing. So an
 * interrupt terminates the worker, ends the cell with an error that says its variables are
 * lost, and starts a fresh worker.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from "@jupyterlab/application";
import { PageConfig, URLExt } from "@jupyterlab/coreutils";
import type { KernelMessage } from "@jupyterlab/services";
import { BaseKernel, IKernelClient, IKernelSpecs, type IKernel } from "@jupyterlite/services";
import type { FromWorker, ToWorker } from "./protocol.js";

/** Said in the cell (stderr) and in the error output when an interrupt stopped the worker. */
export const INTERRUPTED =
  "Interrupted: the cell was stopped by ending the kernel's worker, so every variable of this notebook is lost; run the cells above again.";

type Reply = KernelMessage.IExecuteReplyMsg["content"];

export class SeqlabKernel extends BaseKernel {
  private worker: Worker | null = null;
  private started: Promise<void> = Promise.resolve();
  private pending: ((m: Extract<FromWorker, { type: "done" }>) => void) | null = null;
  /** The answer to a completion or hover request waiting for the worker. */
  private query: ((m: Extract<FromWorker, { type: "completion" | "inspection" }>) => void) | null = null;
  /** Threads the WebAssembly kernels use in the worker (1 unless the page is cross-origin isolated). */
  threads = 1;

  constructor(options: IKernel.IOptions) {
    super(options);
    this.start();
  }

  override get ready(): Promise<void> {
    return this.started;
  }

  private start(): void {
    const assetsUrl = new URL(`${PageConfig.getOption("fullStaticUrl")}/`, location.href).href;
    const filesUrl = new URL(URLExt.join(PageConfig.getBaseUrl(), "files", this.location, "/"), location.href).href;
    const worker = new Worker(`${assetsUrl}seqlab-kernel-worker.js`);
    this.worker = worker;
    this.started = new Promise<void>((resolve, reject) => {
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const m = event.data;
        if (m.type === "ready") {
          this.threads = m.threads;
          resolve();
        } else if (m.type === "failed") {
          reject(new Error(`seqlab kernel: the worker did not start: ${m.message}`));
        } else this.onWorker(m);
      };
      worker.onerror = (e) => {
        reject(new Error(`seqlab kernel: the worker failed: ${e.message}`));
        this.pending?.({ type: "done", status: "error", ename: "KernelError", evalue: e.message, traceback: [e.message] });
      };
    });
    this.started.catch((e: unknown) => console.error(e));
    const hw = typeof navigator !== "undefined" ? navigator.hardwareConcurrency || 1 : 1;
    const init: ToWorker = { type: "init", assetsUrl, filesUrl, threads: Math.min(2, hw) };
    worker.postMessage(init);
  }

  private onWorker(m: FromWorker): void {
    switch (m.type) {
      case "stream":
        this.stream({ name: m.name, text: m.text });
        break;
      case "display":
        if (m.update) this.updateDisplayData({ data: m.content.data, metadata: m.content.metadata, transient: m.content.transient } as KernelMessage.IUpdateDisplayDataMsg["content"]);
        else this.displayData({ data: m.content.data, metadata: m.content.metadata, transient: m.content.transient } as KernelMessage.IDisplayDataMsg["content"]);
        break;
      case "result":
        this.publishExecuteResult({ execution_count: this.executionCount, data: m.data, metadata: {} } as KernelMessage.IExecuteResultMsg["content"]);
        break;
      case "done":
        this.pending?.(m);
        break;
      case "completion":
      case "inspection":
        this.query?.(m);
        break;
    }
  }

  /** Ends a running cell by terminating the worker (see the file's comment); idle: nothing to do. */
  interrupt(): void {
    if (!this.pending) return;
    this.worker?.terminate();
    this.stream({ name: "stderr", text: `${INTERRUPTED}\n` });
    this.pending({ type: "done", status: "error", ename: "Interrupted", evalue: INTERRUPTED, traceback: [INTERRUPTED] });
    this.start();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.worker?.terminate();
    this.worker = null;
    super.dispose();
  }

  async kernelInfoRequest(): Promise<KernelMessage.IInfoReplyMsg["content"]> {
    return {
      status: "ok",
      protocol_version: "5.3",
      implementation: "seqlab-browser",
      implementation_version: "0.1.0",
      language_info: { name: "typescript", version: "5.9", mimetype: "text/typescript", file_extension: ".ts", codemirror_mode: { name: "typescript" } },
      banner: "seqlab's TypeScript kernel: TypeScript 5.9 in a Web Worker, with seqlab",
      help_links: [],
    };
  }

  async executeRequest(content: KernelMessage.IExecuteRequestMsg["content"]): Promise<Reply> {
    await this.started;
    const done = await new Promise<Extract<FromWorker, { type: "done" }>>((resolve) => {
      this.pending = resolve;
      const msg: ToWorker = { type: "execute", code: content.code };
      this.worker!.postMessage(msg);
    });
    this.pending = null;
    if (done.status === "ok") return { status: "ok", execution_count: this.executionCount, user_expressions: {}, payload: [] } as Reply;
    this.publishExecuteError({ ename: done.ename, evalue: done.evalue, traceback: done.traceback });
    return { status: "error", execution_count: this.executionCount, ename: done.ename, evalue: done.evalue, traceback: done.traceback } as Reply;
  }

  /** Asks the worker's TypeScript language service; cursors are code points in Jupyter's protocol, string indices in TypeScript. */
  private async ask(type: "complete" | "inspect", code: string, cursorPos: number): Promise<Extract<FromWorker, { type: "completion" | "inspection" }>> {
    await this.started;
    return new Promise((resolve) => {
      this.query = resolve;
      const msg: ToWorker = { type, code, cursor: [...code].slice(0, cursorPos).join("").length };
      this.worker!.postMessage(msg);
    });
  }

  async completeRequest(content: KernelMessage.ICompleteRequestMsg["content"]): Promise<KernelMessage.ICompleteReplyMsg["content"]> {
    const m = await this.ask("complete", content.code, content.cursor_pos);
    const points = (index: number): number => [...content.code.slice(0, index)].length;
    if (m.type !== "completion") return { status: "ok", matches: [], cursor_start: content.cursor_pos, cursor_end: content.cursor_pos, metadata: {} };
    return { status: "ok", matches: m.matches, cursor_start: points(m.start), cursor_end: points(m.end), metadata: {} };
  }

  async inspectRequest(content: KernelMessage.IInspectRequestMsg["content"]): Promise<KernelMessage.IInspectReplyMsg["content"]> {
    const m = await this.ask("inspect", content.code, content.cursor_pos);
    const text = m.type === "inspection" ? m.text : null;
    return text === null ? { status: "ok", found: false, data: {}, metadata: {} } : { status: "ok", found: true, data: { "text/plain": text }, metadata: {} };
  }

  async isCompleteRequest(_content: KernelMessage.IIsCompleteRequestMsg["content"]): Promise<KernelMessage.IIsCompleteReplyMsg["content"]> {
    return { status: "complete" };
  }

  async commInfoRequest(_content: KernelMessage.ICommInfoRequestMsg["content"]): Promise<KernelMessage.ICommInfoReplyMsg["content"]> {
    return { status: "ok", comms: {} };
  }

  inputReply(_content: KernelMessage.IInputReplyMsg["content"]): void {}
  async commOpen(_msg: KernelMessage.ICommOpenMsg): Promise<void> {}
  async commMsg(_msg: KernelMessage.ICommMsgMsg): Promise<void> {}
  async commClose(_msg: KernelMessage.ICommCloseMsg): Promise<void> {}
}

/** Registers the kernel, and routes the ■ button to it (see the file's comment). */
export const seqlabKernelPlugin: JupyterFrontEndPlugin<void> = {
  id: "@seqlab/site:kernel",
  description: "seqlab's TypeScript kernel, running in a Web Worker.",
  autoStart: true,
  requires: [IKernelSpecs, IKernelClient],
  activate: (_app: JupyterFrontEnd, specs: IKernelSpecs, client: IKernelClient) => {
    const kernels = new Map<string, SeqlabKernel>();
    specs.register({
      spec: {
        name: "tslab",
        display_name: "TypeScript (seqlab, in the browser)",
        language: "typescript",
        argv: [],
        resources: {},
      },
      create: async (options: IKernel.IOptions): Promise<IKernel> => {
        const kernel = new SeqlabKernel(options);
        kernels.set(kernel.id, kernel);
        kernel.disposed.connect(() => {
          if (kernels.get(kernel.id) === kernel) kernels.delete(kernel.id);
        });
        return kernel;
      },
    });
    const interrupt = client.interrupt.bind(client);
    client.interrupt = async (id: string): Promise<void> => {
      // The client first cancels the waiting cells; then the running one is ended.
      await interrupt(id);
      kernels.get(id)?.interrupt();
    };
  },
};
