/**
 * The client registry: every connected client of one server by id, and the
 * id counter. Owned by the engine, which adds a client when it connects and
 * removes it when it leaves; everything else only reads it.
 *
 * @module
 */

/** What the registry needs of a client. */
export interface Registered {
  readonly id: number;
}

/**
 * Connected clients by id, in connection order.
 *
 * @example
 * ```ts
 * import { ClientRegistry } from "./clients.ts";
 * const clients = new ClientRegistry<{ id: number }>();
 * const c = { id: clients.nextId() };
 * clients.add(c);
 * console.assert(clients.get(1) === c && clients.size === 1);
 * clients.remove(c);
 * console.assert(!clients.has(1));
 * ```
 */
export class ClientRegistry<C extends Registered> {
  #byId = new Map<number, C>();
  #nextId = 1;

  /** @returns the id for the next client (CLIENT ID), never reused */
  nextId(): number {
    return this.#nextId++;
  }

  /**
   * Registers a client.
   *
   * @param client the client
   */
  add(client: C): void {
    this.#byId.set(client.id, client);
  }

  /**
   * Forgets a client (it left).
   *
   * @param client the client
   * @returns whether it was registered
   */
  remove(client: C): boolean {
    return this.#byId.delete(client.id);
  }

  /**
   * A client by id.
   *
   * @param id the CLIENT ID
   * @returns the client, if connected
   */
  get(id: number): C | undefined {
    return this.#byId.get(id);
  }

  /**
   * Whether a client with this id is connected.
   *
   * @param id the CLIENT ID
   * @returns true if it is
   */
  has(id: number): boolean {
    return this.#byId.has(id);
  }

  /** Number of connected clients (INFO connected_clients). */
  get size(): number {
    return this.#byId.size;
  }

  /** @returns the clients, in connection order */
  values(): IterableIterator<C> {
    return this.#byId.values();
  }
}
